"""Pure renderers: a validated journey in, data for templates or SVG/DOT text out."""
