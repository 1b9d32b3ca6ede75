/**
 * Page-wide keys of a card grid (scalars/grid.js): a click elsewhere closes an open card menu, and
 * each Esc undoes one thing — an open menu first, then a selected step or range, then full screen.
 */
import { CLS } from "../classes.js";

export function closeMenusOnEscape(grid) {
  document.addEventListener("click", (event) => {
    for (const menu of document.querySelectorAll(`details.${CLS.menu}[open]`)) {
      if (!menu.contains(event.target)) menu.open = false;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menus = document.querySelectorAll(`details.${CLS.menu}[open]`);
    for (const menu of menus) menu.open = false;
    if (menus.length) return;
    const cards = Array.from(grid.cards.values());
    const selected = cards.filter((card) => card.chart?.selection);
    for (const card of selected) card.clearSelection();
    if (selected.length) return;
    for (const card of cards) if (card.fullscreen) card.setFullscreen(false);
  });
}
