"""The package front: lazy access to every public module."""


def test_every_public_module_is_reachable_lazily():
    import pkgutil

    import mlkit

    public = {m.name for m in pkgutil.iter_modules(mlkit.__path__) if not m.name.startswith("_")}
    public -= {"cli", "config", "params", "recording"}  # machinery reached through the CLI
    assert public <= set(mlkit.__all__), public - set(mlkit.__all__)
    assert mlkit.serving.__name__ == "mlkit.serving"
