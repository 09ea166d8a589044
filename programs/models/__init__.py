from .programs import Program

__all__ = ["Program"]
