"""Working days in mainland China (pure, no Django): see issue 15."""
