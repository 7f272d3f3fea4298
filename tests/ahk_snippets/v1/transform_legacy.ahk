Transform, out, Chr, 65
