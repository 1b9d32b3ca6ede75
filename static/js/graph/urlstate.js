// The view in the URL: ?run=&kind=&expand=a&expand=b&select=name&color=op&trace=1
export function readUrlState() {
  const p = new URLSearchParams(window.location.search);
  return {
    run: p.get('run'),
    kind: p.get('kind'),
    expanded: p.getAll('expand'),
    selected: p.get('select'),
    color: ['op', 'compute', 'memory'].includes(p.get('color')) ? p.get('color') : 'structure',
    trace: p.get('trace') === '1',
  };
}

export function writeUrlState({ run, kind, expanded, selected, color, trace }) {
  const p = new URLSearchParams();
  if (run !== null && run !== undefined) p.set('run', run);
  if (kind) p.set('kind', kind);
  for (const name of expanded) p.append('expand', name);
  if (selected) p.set('select', selected);
  if (color !== 'structure') p.set('color', color);
  if (trace) p.set('trace', '1');
  const url = `${window.location.pathname}?${p.toString()}`;
  if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, '', url);
}
