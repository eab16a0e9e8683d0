/*
 * Anchor SOP checklists: every MyST task list on a page becomes a checklist
 * an operator can run. Boxes tick with mouse or keyboard (each item is a
 * label), and stay ticked across reloads and browser restarts (localStorage,
 * one key per page). Ticks are keyed by the item's text, not its position,
 * so inserting or editing an item leaves the other ticks alone and a changed
 * item starts unticked. Each list shows "N of M done" and a "Reset
 * checklist" button. Without JavaScript the boxes render, unticked.
 */
(() => {
  "use strict";
  const storageKey = "sop-checklist:" + location.pathname;
  const textOf = (item) => item.textContent.replace(/\s+/g, " ").trim();

  const load = () => {
    try {
      return new Set(JSON.parse(localStorage.getItem(storageKey)) || []);
    } catch {
      return new Set();
    }
  };

  // Printed editions replace the boxes with glyphs: only lists with boxes run.
  const lists = [...document.querySelectorAll("ul.contains-task-list")].filter((list) =>
    list.querySelector("input.task-list-item-checkbox"),
  );
  if (!lists.length) return;
  const stored = load();
  const all = [];

  const save = () => {
    const done = all.filter((entry) => entry.box.checked).map((entry) => entry.text);
    try {
      if (done.length) localStorage.setItem(storageKey, JSON.stringify(done.sort()));
      else localStorage.removeItem(storageKey);
    } catch {
      /* storage unavailable (private mode): ticks last as long as the page */
    }
  };

  lists.forEach((list) => {
    const entries = [...list.querySelectorAll(":scope > li.task-list-item")].map((item) => {
      const box = item.querySelector("input.task-list-item-checkbox");
      const holder = box.parentElement;
      const label = document.createElement("label");
      label.className = "sop-checklist-item";
      label.append(...holder.childNodes);
      holder.append(label);
      const entry = { box, text: textOf(item) };
      box.disabled = false;
      box.checked = stored.has(entry.text);
      all.push(entry);
      return entry;
    });

    const bar = document.createElement("div");
    bar.className = "sop-checklist-bar";
    const status = document.createElement("p");
    status.className = "sop-checklist-status";
    status.setAttribute("role", "status");
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "sop-checklist-reset";
    reset.textContent = "Reset checklist";
    bar.append(status, reset);
    list.before(bar);

    const update = () => {
      const done = entries.filter((entry) => entry.box.checked).length;
      status.textContent = `${done} of ${entries.length} done`;
    };
    entries.forEach((entry) =>
      entry.box.addEventListener("change", () => {
        save();
        update();
      }),
    );
    reset.addEventListener("click", () => {
      entries.forEach((entry) => (entry.box.checked = false));
      save();
      update();
    });
    update();
  });
})();
