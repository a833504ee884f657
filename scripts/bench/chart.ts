/**
 * The benchmark's chart, as a hand-written SVG: gas per bill (or per attestation, or per token) against the batch
 * size, on log-log axes, for MedBill (with its floor) and each baseline.
 */
import type { GasRow, System } from "./gas";

/** One line of the chart. */
interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

const COLORS: Record<System, string> = {
  MedBill: "#1565c0",
  EAS: "#c62828",
  ERC721: "#6a1b9a",
  ERC721A: "#2e7d32",
};

const LABELS: Record<System, string> = {
  MedBill: "MedBill issueBatch",
  EAS: "EAS multiAttest",
  ERC721: "OpenZeppelin ERC721 (mint in a loop)",
  ERC721A: "ERC721A batch mint",
};

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function formatGas(value: number): string {
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 1_000) return `${value / 1_000}k`;
  return String(value);
}

/** The series of the chart: every batch row of each system, and MedBill's floor. */
export function chartSeries(rows: readonly GasRow[]): Series[] {
  const series: Series[] = [];
  for (const system of Object.keys(LABELS) as System[]) {
    const points = rows
      .filter((row) => row.system === system && row.job === "batch" && row.perItem !== null)
      .map((row) => ({ x: row.items, y: row.perItem as number }))
      .sort((a, b) => a.x - b.x);
    if (points.length > 0) series.push({ label: LABELS[system], color: COLORS[system], points });
    if (system === "MedBill") {
      const floor = rows
        .filter((row) => row.system === "MedBill" && row.job === "batch" && row.floor !== undefined)
        .map((row) => ({ x: row.items, y: row.floor?.perItem as number }))
        .sort((a, b) => a.x - b.x);
      if (floor.length > 0) {
        series.push({
          label: "MedBill floor (same writes, logs, calldata)",
          color: COLORS.MedBill,
          dashed: true,
          points: floor,
        });
      }
    }
  }
  return series;
}

/** Renders the chart of `rows` as a standalone SVG document. */
export function renderChart(rows: readonly GasRow[], subtitle: string): string {
  const series = chartSeries(rows);
  const width = 860;
  const height = 540;
  const margin = { left: 78, right: 24, top: 116, bottom: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = series.flatMap((s) => s.points);
  const maxX = Math.max(10, ...all.map((p) => p.x));
  const minY = Math.min(...all.map((p) => p.y));
  const maxY = Math.max(...all.map((p) => p.y));
  const x0 = 0;
  const x1 = Math.ceil(Math.log10(maxX));
  const y0 = Math.floor(Math.log10(minY));
  const y1 = Math.ceil(Math.log10(maxY));
  const sx = (x: number): number => margin.left + ((Math.log10(x) - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => margin.top + plotH - ((Math.log10(y) - y0) / (y1 - y0)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${margin.left}" y="26" font-size="16" font-weight="bold">Gas per bill against batch size (log-log)</text>`,
  );
  out.push(`<text x="${margin.left}" y="46" fill="#555">${escapeXml(subtitle)}</text>`);
  // Grid and axes.
  for (let e = x0; e <= x1; e++) {
    for (const m of [1, 2, 5]) {
      const value = m * 10 ** e;
      if (value > 10 ** x1) continue;
      const x = sx(value).toFixed(1);
      const major = m === 1;
      out.push(
        `<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="${major ? "#ccc" : "#eee"}"/>`,
      );
      if (major || m === 5) {
        out.push(`<text x="${x}" y="${margin.top + plotH + 18}" text-anchor="middle">${value}</text>`);
      }
    }
  }
  for (let e = y0; e <= y1; e++) {
    for (const m of [1, 2, 5]) {
      const value = m * 10 ** e;
      if (value > 10 ** y1) continue;
      const y = sy(value).toFixed(1);
      const major = m === 1;
      out.push(
        `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="${major ? "#ccc" : "#eee"}"/>`,
      );
      out.push(
        `<text x="${margin.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatGas(value)}</text>`,
      );
    }
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle">` +
      `items per transaction (bills, attestations, tokens)</text>`,
  );
  out.push(
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">gas per item</text>`,
  );
  // Lines.
  for (const s of series) {
    const path = s.points.map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`).join(" ");
    out.push(
      `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    if (!s.dashed) {
      for (const p of s.points) {
        out.push(
          `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${s.color}">` +
            `<title>${escapeXml(s.label)}: ${p.x} per tx, ${p.y.toLocaleString("en-US")} gas each</title></circle>`,
        );
      }
    }
  }
  // Legend, two columns between the title and the plot.
  series.forEach((s, i) => {
    const legendX = margin.left + (i % 2) * 380;
    const y = 66 + Math.floor(i / 2) * 18;
    out.push(
      `<line x1="${legendX}" y1="${y}" x2="${legendX + 26}" y2="${y}" stroke="${s.color}" stroke-width="2"` +
        `${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    out.push(`<text x="${legendX + 34}" y="${y}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
