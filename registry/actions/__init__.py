"""State changes. Each action checks the policy, changes the data and writes its access-log entry in one
transaction; side effects (search indexing) are pushed to ``on_commit``. Views, the API and commands call
these and nothing else to change state."""
