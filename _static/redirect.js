// A moved page (_templates/redirect.html, written by sphinx-reredirects):
// go to its new address at once, keeping the #anchor the old link carried,
// which the page's meta refresh would drop. An external file, so that the
// Content-Security-Policy needs no hash per redirect.
const moved = document.querySelector('link[rel="canonical"]');
if (moved) {
  const target = new URL(moved.href);
  if (window.location.hash) target.hash = window.location.hash;
  window.location.replace(target);
}
