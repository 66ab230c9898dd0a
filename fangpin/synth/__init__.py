"""Synthetic counties and every piece of demo data: the generators (names, ID numbers, the county,
department feeds with truth labels, migrant-work spells) and the demo set-up that loads them
through the services (`fangpin demo-setup`, `fangpin synth`). The top of the app stack: it may
import any app and no app imports it."""
