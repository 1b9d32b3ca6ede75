// Node sizes and spacing of the drawing, all in SVG pixels at zoom 1. Fonts match graph.css.
import { FLAG, KIND } from './model.js';

export const GEOM = {
  opHeight: 20,
  constHeight: 14,
  scopeHeight: 28,
  seriesHeight: 26,
  minWidth: 28,
  opPadding: 18,
  scopePadding: 40,     // label plus the expand button
  groupHeader: 26,      // title bar of an expanded group
  groupPad: 12,
  auxGap: 22,           // between the main area and the auxiliary column
  auxSpacing: 4,        // between one auxiliary node's out stub and the next one's in stub
  stubLength: 10,
  stubLabelGap: 4,      // between a stub and its label (clear of the arrowhead)
  edgeLabelHeight: 11,
  fonts: {
    op: '11px system-ui, sans-serif',
    constant: '9px system-ui, sans-serif',
    scope: '600 11px system-ui, sans-serif',
    edge: '9px system-ui, sans-serif',
    stub: '8px system-ui, sans-serif',
  },
};

const widthCache = new Map();
let measureContext = null;

/** Width in px of text in one of GEOM.fonts (canvas measureText, cached). */
export function textWidth(text, font) {
  const key = font + '\u0000' + text;
  let width = widthCache.get(key);
  if (width === undefined) {
    if (!measureContext) measureContext = document.createElement('canvas').getContext('2d');
    measureContext.font = font;
    width = Math.ceil(measureContext.measureText(text).width);
    widthCache.set(key, width);
  }
  return width;
}

/** Collapsed size [w, h] of a node. */
export function collapsedSize(model, id) {
  const label = model.label[id];
  if (model.kind[id] === KIND.op) {
    if (model.flags[id] & FLAG.constant) {
      return [Math.max(GEOM.minWidth - 8, textWidth(label, GEOM.fonts.constant) + 12), GEOM.constHeight];
    }
    return [Math.max(GEOM.minWidth, textWidth(label, GEOM.fonts.op) + GEOM.opPadding), GEOM.opHeight];
  }
  const height = model.kind[id] === KIND.series ? GEOM.seriesHeight : GEOM.scopeHeight;
  return [Math.max(GEOM.minWidth + 20, textWidth(label, GEOM.fonts.scope) + GEOM.scopePadding), height];
}
