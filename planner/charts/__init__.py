"""Charts drawn with matplotlib's Figure API (never pyplot), rendered to SVG, PNG or PDF bytes."""
