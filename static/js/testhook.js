/**
 * The one hook tests (tests/browser/) and the console use on every page: `window.board` is the
 * page's own object (each page documents what it exposes), with `page` naming the dashboard, and
 * <body data-loaded="true"> once the page has shown its first data.
 */

export function exposeForTests(api) {
  api.page = document.body.dataset.page;
  window.board = api;
}

export function markLoaded() {
  document.body.dataset.loaded = "true";
}
