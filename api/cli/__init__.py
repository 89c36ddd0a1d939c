"""The ``gongzhi`` command line and the demo compound it seeds. The outermost layer: may import
every other package of ``api``; nothing imports it."""
