// A small hand-written SVG line chart (p50 and p99 latency against offered load): no plotting dependency for one
// picture. The y axis is logarithmic so a p99 that blows up does not flatten the rest.
export interface LatencyPoint {
  x: number;
  p50: number;
  p99: number;
  ok: boolean;
}

const W = 640;
const H = 400;
const M = { left: 70, right: 20, top: 40, bottom: 50 };

export function latencySvg(points: LatencyPoint[], title = 'Card quote payment: checkout completion to credit note'): string {
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) => [p.p50, p.p99]).filter((v) => Number.isFinite(v) && v > 0);
  const xMax = Math.max(1, ...xs);
  const yMin = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...ys))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(10, ...ys)));
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - M.top - M.bottom);
  const line = (key: 'p50' | 'p99', color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${px(p.x).toFixed(1)},${py(p[key]).toFixed(1)}`).join(' ')}"/>` +
    points.map((p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p[key]).toFixed(1)}" r="4" fill="${p.ok ? color : 'white'}" stroke="${color}"/>`).join('');
  const yTicks: string[] = [];
  for (let v = yMin; v <= yMax; v *= 10) {
    yTicks.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/><text x="${M.left - 8}" y="${py(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  const xTicks = xs.map((x) => `<text x="${px(x)}" y="${H - M.bottom + 18}" text-anchor="middle">${x}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>
${yTicks.join('\n')}
${xTicks.join('\n')}
<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>
<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>
<text x="${W / 2}" y="${H - 12}" text-anchor="middle">offered load (payments per second)</text>
<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">latency (log scale)</text>
${line('p50', '#1f77b4')}
${line('p99', '#d62728')}
<text x="${W - M.right - 150}" y="${M.top + 14}" fill="#1f77b4">● p50</text>
<text x="${W - M.right - 150}" y="${M.top + 30}" fill="#d62728">● p99</text>
<text x="${W - M.right - 150}" y="${M.top + 46}" fill="#555">○ not sustained</text>
</svg>
`;
}
