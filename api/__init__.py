"""The Gongzhi service, in packages from the outside in: ``cli``, ``http``, ``live``, ``access``,
``runtime``, ``services``, then ``formats`` and ``store`` (which do not import each other), then
``settings``. A package imports only those after it (tests/test_architecture.py, ``API_RANKS``)."""
