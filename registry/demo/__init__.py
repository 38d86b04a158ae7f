"""The demo office: people of every clearance, storage places and a realistic set of congress documents."""
