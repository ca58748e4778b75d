"""Demo-sized defaults, in a module with no imports so the CLI can show them cheaply."""

# Sized so `litclip demo` finishes in about 6 minutes on 2 idle CPU cores (measured: journal
# 13 s, corpus 8 s, training ~5 min, evaluation ~40 s, index ~16 s).
DEMO_ARTICLES = 64
DEMO_EPOCHS = 45
DEMO_TRAIN_PRESET = "cpu-small"
# The best epoch is picked on the validation articles; R@5 is less noisy than R@1 on ~70 pairs.
DEMO_VAL_METRIC = "mean_recall@5"
