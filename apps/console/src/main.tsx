import '@mantine/core/styles.css';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './console-app';

createRoot(document.getElementById('root')!).render(<ConsoleApp />);
