"""Load: read the cycle's files into the immutable model, every problem a diagnostic.

``yamlsrc`` parses YAML with positions, ``orgtree`` finds the org tree in the
directory tree, ``loader`` builds the model.
"""
