"""fangpin (防返贫): monitoring and assistance to prevent (re)lapse into poverty."""

__version__ = "0.1.0"
