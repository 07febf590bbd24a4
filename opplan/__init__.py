"""opplan: annual operating plans (OP1/OP2) as files: validate, roll up, render."""
