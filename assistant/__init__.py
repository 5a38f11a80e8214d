"""SEND assistant for Stoke-on-Trent: cited answers from the Local Offer, the SEND Code of Practice
and family hubs guidance."""

import os

# Nothing may reach the network at run time. These must be set before transformers,
# huggingface_hub, chromadb or gradio are imported, so they live at package import.
_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}
for _key, _value in _OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)
# Without an explicit OpenMP thread count, torch on this kind of machine spends ~25x longer per
# query embedding (measured: 480 ms vs 19 ms), so pin it to the cores we have.
os.environ.setdefault("OMP_NUM_THREADS", str(len(os.sched_getaffinity(0)) or 1))

__version__ = "0.1.0"
