// The stylesheets of everything beyond the first screen (./later.css): App.tsx loads this with each lazy page.
import './later.css';
