"""Colourblind-safe colours, defined once for every chart.

Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable under the
common forms of colour-vision deficiency. Sequential scales use viridis, which is
perceptually uniform and readable in grey (van der Walt & Smith 2015).
"""

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey (the eighth colour is black; grey reads on dark themes too)
)

ATTENTION_COLOUR = OKABE_ITO[0]
OCCUPANCY_COLOUR = OKABE_ITO[1]
RESERVOIR_COLOUR = OKABE_ITO[7]
NUCLEOSOME_COLOUR = OKABE_ITO[7]
DNA_COLOUR = OKABE_ITO[4]
QUERY_OUTLINE = OKABE_ITO[5]  # vermillion: the chosen query row on a viridis heatmap
SEQUENTIAL_SCHEME = "viridis"


def species_colour(index: int) -> str:
    """One colour per TF species (head); cycles after the first seven."""
    return OKABE_ITO[index % 7]

# Text and outlines take the page's own text colour, so they read in light and dark themes
# (Streamlit renders Vega as SVG, where "currentColor" resolves to the theme's text colour).
TEXT_COLOUR = "currentColor"
