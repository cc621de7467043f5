import { render } from 'preact';
import { App } from './App';
import { restore } from './session';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
void restore();
