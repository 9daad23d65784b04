"""The Streamlit glue between the pure ``lib/`` and the thin page scripts in ``pages/``.

- ``site``: the site map and the guard that sends every run through app.py;
- ``state``: every setting and piece of session state, in one typed place;
- ``cache``: the per-server shared caches (model, attention store, views);
- ``text``: teaching text and messages from content/;
- ``charts``: draws the chart templates of lib/charts;
- ``controls``: the shared sidebar controls, the prompt box and the query picker;
- ``links``: settings carried in a URL, the "Copy a link to this setup" button, configured
  links and the table of link parameters;
- ``learn``: what the Learn pages share;
- ``teachers``: the teacher guide and the printable worksheet (with ``print.css``);
- ``classroom``: anonymous class results (the store, the students' send panel, the teacher's
  pages);
- ``components``: the components-v2 elements (the chromatin scene, the copy-link button).
"""
