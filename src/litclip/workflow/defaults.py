"""Demo-sized defaults, in a module with no imports so the CLI can show them cheaply."""

# Sized so `litclip demo` finishes in about 6 minutes on 2 idle CPU cores (measured: journal
# 13 s, corpus 8 s, training ~4.5 min, evaluation ~40 s, index ~16 s).
DEMO_ARTICLES = 64
DEMO_EPOCHS = 30
DEMO_TRAIN_PRESET = "cpu-small"
