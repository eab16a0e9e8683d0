/*
 * The Anchor SOP scorer for Sphinx's search (html_search_scorer in conf.py).
 * Sphinx's default weights, plus two rules that use the hints that
 * _ext/search_ranking.py puts on the search page (SOP_SEARCH):
 *  - a term's home page (the page its glossary entry cites) ranks first for it;
 *  - hub pages (landing page, section indexes, glossary, review status) rank
 *    below every page that mentions the query, unless it is their own title.
 */
var Scorer = {
  score: (result) => {
    const [docname, title, anchor, descr, score, filename, kind] = result;
    const hints = typeof SOP_SEARCH === "undefined" ? { homes: {}, hubs: [] } : SOP_SEARCH;
    const query = (new URLSearchParams(window.location.search).get("q") || "").trim().toLowerCase();
    if (hints.homes[query] === docname) return score + Scorer.home;
    if (hints.hubs.includes(docname)) {
      if (kind === "title" && title.toLowerCase() === query) return score;
      return Math.min(score, Scorer.partialTerm) - 1;
    }
    return score;
  },
  // the home page of a glossary term, when the query is that term
  home: 20,

  // Sphinx's defaults (sphinx/themes/basic/static/searchtools.js)
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};

/*
 * Snippets. Sphinx centres a result's snippet on one query word (the last it
 * parsed), so for "break-glass access" it showed "accessed" in the Purpose
 * line. When the page holds the whole query, centre the snippet there.
 * Only on the search page, where searchtools.js has defined Search.
 */
if (typeof Search !== "undefined") {
  const sphinxSummary = Search.makeSearchSummary;
  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const query = (new URLSearchParams(window.location.search).get("q") || "").trim().toLowerCase();
    const whole = /\s/.test(query) && Search.htmlToText(htmlText, anchor).toLowerCase().includes(query);
    return sphinxSummary(htmlText, whole ? [query] : keywords, anchor);
  };
}
