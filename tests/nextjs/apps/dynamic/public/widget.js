window.ranWidget = true;
