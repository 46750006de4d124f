"""The workshop dashboard (Solara)."""
