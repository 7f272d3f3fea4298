#SingleInstance Sometimes
