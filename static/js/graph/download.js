// Download the drawn graph as a standalone SVG (styles inlined) or as a PNG rendered from it.

function graphCss() {
  const rules = [];
  for (const sheet of document.styleSheets) {
    if (!sheet.href || !sheet.href.includes('/graph.css')) continue;
    for (const rule of sheet.cssRules) rules.push(rule.cssText);
  }
  return rules.join('\n');
}

/** A standalone SVG document of the whole scene at zoom 1. */
function svgDocument(svg, scene) {
  const clone = svg.cloneNode(true);
  const viewport = clone.querySelector('[data-role="viewport"]');
  viewport.removeAttribute('transform');
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(Math.ceil(scene.width)));
  clone.setAttribute('height', String(Math.ceil(scene.height)));
  clone.setAttribute('viewBox', `0 0 ${Math.ceil(scene.width)} ${Math.ceil(scene.height)}`);
  clone.removeAttribute('id');
  clone.removeAttribute('class');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = graphCss() + '\nsvg{background:#fff}';
  clone.insertBefore(style, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadSvg(svg, scene, filename) {
  save(new Blob([svgDocument(svg, scene)], { type: 'image/svg+xml' }), filename);
}

export async function downloadPng(svg, scene, filename) {
  const text = svgDocument(svg, scene);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error('could not render the SVG'));
      image.src = url;
    });
    const scale = Math.min(2, 16000 / Math.max(scene.width, scene.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(scene.width * scale);
    canvas.height = Math.ceil(scene.height * scale);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    save(blob, filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}
