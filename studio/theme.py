"""The studio's look: a quiet desktop-tool theme, its CSS, and the page head. No web fonts from a CDN."""

from __future__ import annotations

import gradio as gr
from gradio.themes.utils import fonts

SANS = (fonts.LocalFont("IBM Plex Sans"), "ui-sans-serif", "system-ui", "sans-serif")
MONO = (fonts.LocalFont("IBM Plex Mono"), "ui-monospace", "Consolas", "monospace")


def studio_theme() -> gr.themes.Base:
    """A compact slate-and-indigo theme with bundled fonts (nothing fetched from the internet)."""
    return gr.themes.Soft(
        primary_hue="indigo",
        secondary_hue="sky",
        neutral_hue="slate",
        text_size="sm",
        spacing_size="sm",
        radius_size="md",
        font=SANS,
        font_mono=MONO,
    ).set(
        body_background_fill="*neutral_50",
        body_background_fill_dark="*neutral_950",
        block_background_fill="white",
        block_background_fill_dark="*neutral_900",
        block_border_width="1px",
        block_shadow="none",
        block_title_text_weight="600",
        block_label_text_weight="600",
        button_large_padding="8px 18px",
        button_primary_shadow="none",
        button_secondary_shadow="none",
    )


HEAD = """
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
"""

CSS = """
/* ---------- page frame ---------- */
.gradio-container { max-width: 1680px !important; margin: 0 auto !important; }
footer { display: none !important; }
#studio-header {
  display: flex; align-items: center; gap: 16px; padding: 14px 18px; margin-bottom: 4px;
  border-radius: var(--radius-lg); border: 1px solid var(--border-color-primary);
  background: linear-gradient(90deg, var(--color-accent-soft), transparent 70%);
}
#studio-header .logo {
  width: 40px; height: 40px; border-radius: 10px; display: grid; place-items: center;
  background: var(--color-accent); color: white; font-weight: 700; font-size: 15px;
  letter-spacing: .02em; flex: none;
}
#studio-header h1 { margin: 0; font-size: 19px; font-weight: 650; line-height: 1.2; }
#studio-header .tagline { margin: 2px 0 0 0; color: var(--body-text-color-subdued); font-size: 13px; }
#studio-header .paths { margin-left: auto; display: grid; gap: 2px; font-size: 12px; text-align: right;
  color: var(--body-text-color-subdued); }
#studio-header .paths code { font-size: 12px; background: transparent; padding: 0; }
/* A laptop screen: a slimmer header, so the work (the loss plot) is in view. */
@media (max-height: 800px) {
  #studio-header { padding: 8px 14px; }
  #studio-header .logo { width: 32px; height: 32px; font-size: 13px; }
  #studio-header .tagline { display: none; }
  #studio-header .paths { font-size: 11px; gap: 0; }
  #studio-header .paths code { font-size: 11px; }
  .tab-intro p { margin-bottom: 2px; }
}

/* Wide tables and code scroll inside their box instead of widening the page. */
.block:has(.table-container), .block:has(.cm-editor), .codeview, .tokens, .side-by-side > div {
  contain: inline-size; min-width: 0; }

/* ---------- tabs ---------- */
#studio-tabs > .tab-wrapper button, #studio-tabs button[role="tab"] { font-weight: 600; font-size: 14px; }
.tab-intro p { margin: 0 0 6px 0; color: var(--body-text-color-subdued); }

/* ---------- totals strip ---------- */
.totals { display: flex; flex-wrap: wrap; gap: 10px; margin: 2px 0 4px 0; }
.totals .stat { flex: 1 1 130px; padding: 10px 14px; border-radius: var(--radius-md);
  border: 1px solid var(--border-color-primary); background: var(--block-background-fill); }
.totals .stat .value { font-size: 22px; font-weight: 650; line-height: 1.15; white-space: nowrap; }
.totals .stat .label { font-size: 12px; color: var(--body-text-color-subdued); }
.totals .stat.bad .value { color: var(--color-red-500, #ef4444); }
.totals .stat.warn .value { color: #d97706; }
.totals .stat.good .value { color: #059669; }

/* ---------- messages ---------- */
.msg { padding: 8px 12px; border-radius: var(--radius-md); border-left: 4px solid; margin: 2px 0; }
.msg.ok { border-color: #059669; background: rgba(5, 150, 105, .08); }
.msg.info { border-color: var(--color-accent); background: var(--color-accent-soft); }
.msg.warn { border-color: #d97706; background: rgba(217, 119, 6, .09); }
.msg.error { border-color: #dc2626; background: rgba(220, 38, 38, .09); }
.msg .hint { color: var(--body-text-color-subdued); font-size: 12px; }

/* ---------- a form field with a problem: red frame, red help ---------- */
.field-error { border-color: #dc2626 !important; box-shadow: inset 3px 0 0 #dc2626 !important; }
.field-error input, .field-error textarea, .field-error .wrap { border-color: #dc2626 !important; }
.field-error [data-testid="block-info"], .field-error .info { color: #dc2626 !important; font-weight: 500; }

/* ---------- code with line numbers ---------- */
.codeview { font-family: var(--font-mono); font-size: 12.5px; line-height: 1.5; overflow: auto;
  max-height: 560px; border: 1px solid var(--border-color-primary); border-radius: var(--radius-md);
  background: var(--code-background-fill, var(--background-fill-secondary)); }
.codeview table { border-collapse: collapse; width: 100%; margin: 0 !important; border: none !important; }
.codeview tr, .codeview td { border: none !important; background: transparent; }
.codeview td { padding: 0 10px !important; vertical-align: top; white-space: pre; }
.codeview td.ln { text-align: right; color: var(--body-text-color-subdued); user-select: none;
  width: 1%; border-right: 1px solid var(--border-color-primary); }
.codeview tr.error td.src { background: rgba(220, 38, 38, .14); }
.codeview tr.warning td.src { background: rgba(217, 119, 6, .13); }
.codeview tr.add td.src { background: rgba(5, 150, 105, .14); }
.codeview tr.del td.src { background: rgba(220, 38, 38, .12); }
.codeview tr.hunk td { color: var(--color-accent); background: var(--color-accent-soft); }
.codeview .empty { padding: 14px; color: var(--body-text-color-subdued); font-family: var(--font-sans); }

/* ---------- tables rendered as HTML ---------- */
table.diag { width: 100%; border-collapse: collapse; font-size: 13px; border: none !important; margin: 0 !important; }
table.diag tr { border: none !important; }
table.diag th, table.diag td { border: none !important; padding: 4px 8px !important;
  border-bottom: 1px solid var(--border-color-primary) !important; vertical-align: top; }
table.diag th { text-align: left; font-weight: 600; }
.sev { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11px; font-weight: 600; }
.sev.error { background: rgba(220, 38, 38, .16); color: #dc2626; }
.sev.warning { background: rgba(217, 119, 6, .16); color: #b45309; }
.sev.info { background: var(--color-accent-soft); color: var(--color-accent); }

/* ---------- tokens: trained vs masked ---------- */
.tokens { font-family: var(--font-mono); font-size: 12px; line-height: 1.9; white-space: pre-wrap;
  word-break: break-word; max-height: 420px; overflow: auto; padding: 8px 10px;
  border: 1px solid var(--border-color-primary); border-radius: var(--radius-md); }
.tokens span { border-radius: 2px; padding: 1px 0; box-shadow: inset -1px 0 0 rgba(100, 116, 139, .18); }
.tokens .trained { background: rgba(5, 150, 105, .22); }
.tokens .masked { background: rgba(100, 116, 139, .16); color: var(--body-text-color-subdued); }
.tokens .cut { text-decoration: line-through; opacity: .55; }
.legend { font-size: 12px; color: var(--body-text-color-subdued); margin: 4px 0; }
.legend span { padding: 1px 6px; border-radius: 3px; margin-right: 8px; }
.legend .trained { background: rgba(5, 150, 105, .22); }
.legend .masked { background: rgba(100, 116, 139, .16); }

/* ---------- side by side ---------- */
.side-by-side { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 10px; }
.side-by-side h4 { margin: 0 0 4px 0; font-size: 13px; font-family: var(--font-mono); }

/* ---------- plotly follows light/dark ---------- */
.js-plotly-plot .plotly .main-svg { background: transparent !important; }
.js-plotly-plot .plotly text { fill: var(--body-text-color) !important; }
.js-plotly-plot .plotly .gridlayer path, .js-plotly-plot .plotly .zerolinelayer path {
  stroke: var(--border-color-primary) !important; }
.js-plotly-plot .plotly .legend .bg { fill: transparent !important; }
.js-plotly-plot .plotly .hoverlayer .hovertext text { fill: #111 !important; }

/* ---------- small things ---------- */
.compact-row { align-items: end !important; }
.danger button, button.danger { border-color: #dc2626 !important; }
"""

# Reopens the tab the user was on after a reload (the top-level tabs' buttons are tab-<name>-button).
JS = """
() => {
  const key = "ahkstudio:tab";
  document.addEventListener("click", (event) => {
    const tab = event.target.closest('button[role="tab"][id^="tab-"]');
    if (tab) localStorage.setItem(key, tab.id);
  });
  const wanted = localStorage.getItem(key);
  if (!wanted) return;
  const started = Date.now();
  const timer = setInterval(() => {
    const tab = document.getElementById(wanted);
    if (!tab && Date.now() - started < 10000) return;
    clearInterval(timer);
    if (tab && tab.getAttribute("aria-selected") !== "true") tab.click();
  }, 100);
}
"""
