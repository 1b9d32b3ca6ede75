/**
 * Every CSS class name (and element id) that scripts add, remove or look up, for every page, in one
 * place. Styles: static/css/base.css (shared), scalars.css (CLS) and graph.css (GRAPH_CLS).
 */
export const CLS = Object.freeze({
  // state modifiers
  hidden: "is-hidden",
  collapsed: "is-collapsed",
  loading: "is-loading",
  fresh: "is-fresh",
  error: "is-error",
  invalid: "is-invalid",
  isNew: "is-new",
  empty: "is-empty", // a card no drawn run has
  shownEmpty: "is-shown-empty", // ... shown anyway (the toolbar's toggle)
  fullscreen: "is-fullscreen",
  active: "is-active",

  // top bar
  tab: "topbar__tab",
  tabMenuItem: "topbar__menu-item",

  // run list
  run: "run",
  runCheck: "run__check",
  runName: "run__name",
  runDir: "run__dir",
  runBase: "run__base",
  runColor: "run__color",
  runsEmpty: "runs__empty",
  runsSpacer: "runs__spacer",
  runsRows: "runs__rows",

  // tag groups
  group: "group",
  groupHead: "group__head",
  groupChevron: "group__chevron",
  groupName: "group__name",
  groupCount: "group__count",
  groupCards: "group__cards",

  // inside cards
  tooltip: "tooltip",
  swatch: "swatch",
  menu: "menu",
  menuItem: "menu__item",
  menuLabel: "menu__label",
  summaryRun: "summary__run",
  summaryStep: "summary__step",
  summaryNote: "summary__note",
  num: "num",
});

/** The graph page's classes (styles: static/css/graph.css). */
export const GRAPH_CLS = Object.freeze({
  node: "g-node",
  op: "g-op",
  constant: "g-const",
  scope: "g-scope",
  series: "g-series",
  expanded: "g-expanded",
  aux: "g-aux",
  auxArea: "g-aux-area",
  expander: "g-expander",
  label: "g-label",
  groupLabel: "g-group-label",
  edge: "g-edge",
  edgePath: "g-edge-path",
  edgeLabel: "g-edge-label",
  control: "g-control",
  stub: "g-stub",
  stubLabel: "g-stub-label",
  stubLabelAux: "g-stub-label-aux",
  selected: "g-selected",
  traced: "g-traced",
  tracing: "g-tracing",
  highlighted: "g-highlight",
  dangling: "g-dangling",
  // side panels
  infoPanel: "g-info",
  infoTitle: "g-info-title",
  infoTable: "g-info-table",
  infoLink: "g-info-link",
  infoMissing: "g-info-missing",
  infoClose: "g-info-close",
  searchResults: "g-search-results",
  searchResult: "g-search-result",
  searchActive: "g-search-active",
  legend: "g-legend",
  legendItem: "g-legend-item",
  legendSwatch: "g-legend-swatch",
  legendRemoved: "g-legend-removed-list",
  smallText: "g-small-text", // zoomed out: edge and stub labels would be illegible, so are not drawn
  tinyText: "g-tiny-text", // further out: node labels too
  minimap: "g-minimap",
  minimapView: "g-minimap-view",
  status: "g-status",
  error: "g-error",
  busy: "g-busy",
});

/** Element ids of graphs.html that the graph page"s scripts look up. */
export const GRAPH_IDS = Object.freeze({
  canvas: "graph-canvas",
  svg: "graph-svg",
  runSelect: "graph-run",
  kindSelect: "graph-kind",
  kindRow: "graph-kind-row",
  timelineRow: "graph-timeline-row",
  timelineLink: "graph-timeline-link",
  search: "graph-search",
  searchResults: "graph-search-results",
  colorMode: "graph-color-mode",
  trace: "graph-trace",
  aux: "graph-aux",
  compare: "graph-compare",
  fit: "graph-fit",
  downloadPng: "graph-download-png",
  downloadSvg: "graph-download-svg",
  legend: "graph-legend",
  info: "graph-info",
  minimap: "graph-minimap",
  status: "graph-status",
  stats: "graph-stats",
  initial: "graph-initial",
});
