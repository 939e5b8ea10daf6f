"""Policy-as-code gates of this project (`make policy`): one module per gate, SARIF for each."""
