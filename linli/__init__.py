"""邻里 Linli: the working system of a city's residential-compound governance."""
