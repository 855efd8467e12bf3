"""Direct reports up the tree (统计直报): periods, deadlines, submit, review, reminders."""
