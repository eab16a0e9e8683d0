/* Anchor SOP: the page title for the header of every printed page
   (@page margin boxes in anchor.css read --sop-page-title). */
(() => {
  const heading = document.querySelector("article h1");
  const title = heading ? heading.firstChild.textContent.trim() : document.title;
  document.documentElement.style.setProperty("--sop-page-title", JSON.stringify(title));
})();
