// The view in the URL: ?run=&kind=&expand=a&expand=b&select=name&color=op&trace=1&aux=0
// &compare=run2&compare_kind=kind2
const COLORS = ['op', 'compute', 'memory', 'device', 'xla', 'diff'];

export function readUrlState() {
  const p = new URLSearchParams(window.location.search);
  const compare = p.get('compare');
  return {
    run: p.get('run'),
    kind: p.get('kind'),
    expanded: p.getAll('expand'),
    selected: p.get('select'),
    color: COLORS.includes(p.get('color')) ? p.get('color') : 'structure',
    trace: p.get('trace') === '1',
    showAux: p.get('aux') !== '0',
    compare: compare === null ? null : { run: compare, kind: p.get('compare_kind') || '' },
  };
}

export function writeUrlState({ run, kind, expanded, selected, color, trace, showAux, compare }) {
  const p = new URLSearchParams();
  if (run !== null && run !== undefined) p.set('run', run);
  if (kind) p.set('kind', kind);
  for (const name of expanded) p.append('expand', name);
  if (selected) p.set('select', selected);
  if (color !== 'structure') p.set('color', color);
  if (trace) p.set('trace', '1');
  if (!showAux) p.set('aux', '0');
  if (compare) {
    p.set('compare', compare.run);
    if (compare.kind) p.set('compare_kind', compare.kind);
  }
  const url = `${window.location.pathname}?${p.toString()}`;
  if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, '', url);
}
