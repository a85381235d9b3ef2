"""Every write of the transition, one module per concern: ``runs`` (dry run, execution, uploads carried out
by the worker), ``transfer`` (writing staff, contracts and agreements), ``novation`` (the supplier's
consent) and ``employees`` (edits after the transfer)."""
