-- Text or a number as the type: an exact CAST, which fails on a value that does not convert.
CAST({{column}} AS {{type}})
