"""The accuracy harness of the similarity engine: a corpus generator, the PAN measures, a runner.

It knows nothing of the engine's internals: it writes .txt files and reads the engine's JSON.
"""
