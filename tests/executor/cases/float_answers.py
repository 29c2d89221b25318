# Floating point answers judged with the float checker.
print("0.30000000000000004 1e-7 -0 123456789.0000001 YES nan inf")
