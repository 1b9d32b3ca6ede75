/**
 * Every CSS class name that scripts add, remove or build elements with, in one place.
 * Styles for them live in static/css/base.css (shared) and static/css/scalars.css.
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

  // run list
  run: "run",
  runCheck: "run__check",
  runName: "run__name",
  runDir: "run__dir",
  runsEmpty: "runs__empty",

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
