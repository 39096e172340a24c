# a data file, served by st_ext
