// placeholder replaced by the network module work
