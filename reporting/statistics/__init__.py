"""Statistics (统计分析) of held receptions, own and from the subtree's reports; exports and the PDF."""
