"""The edition's results (pure core, no Django): see issue 15."""
