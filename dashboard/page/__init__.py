"""The page: the Dash app (app, security), its layout (layout, components), its callbacks, the
figures and source lists of a page (parts) and the default view rendered when a worker starts
(warm). Everything here is wiring: what is drawn comes from dashboard.panels."""
