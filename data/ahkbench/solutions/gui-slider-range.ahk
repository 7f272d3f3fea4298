VolumeSlider(g) => g.Add("Slider", "vVol Range0-10", 7)
