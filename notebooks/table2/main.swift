print("table2")
