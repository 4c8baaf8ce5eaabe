"""The bottom library: no domain, no imports of project apps.

Errors that carry their HTTP status, the time periods (Month, HalfMonth, Quarter), bounded
parsing of query and form values, the formula-safe Excel writer, SVG charts, pagination and the
history row for conditional updates. Every app may import from here; nothing here imports an app.
"""
