"""Directives down the tree (工作指令): send, deliver into each target's schema, resend, acknowledge."""
